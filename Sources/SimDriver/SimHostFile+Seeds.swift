import HostModel

extension SimHostFile {
    /// The domain whose cloud-init seed file `target` is (`CloudInitSeed.path(domain:)`),
    /// if it is one: such a disk exists when the host has that seed.
    static func seedDomain(ofTarget target: String) -> String? {
        let prefix = CloudInitSeed.directory + "/", suffix = ".iso"
        guard target.hasPrefix(prefix), target.hasSuffix(suffix), target.count > prefix.count + suffix.count else {
            return nil
        }
        let domain = target.dropFirst(prefix.count).dropLast(suffix.count)
        return domain.contains("/") ? nil : String(domain)
    }

    /// The disks `xl create` attaches for `config`: the declared ones, then the seed.
    static func attachedDisks(of config: DomainConfig) -> [DomainConfig.Disk] {
        config.disks + (config.seed.map { [$0.disk] } ?? [])
    }
}
