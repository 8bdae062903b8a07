// XenplanTestSupport
