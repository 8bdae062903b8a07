// SimDriver
