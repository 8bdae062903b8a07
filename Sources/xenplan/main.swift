import XenplanCLI

await XenplanMain.main()
