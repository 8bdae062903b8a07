import XenplanCLI

await XenplanMain.runAsync()
