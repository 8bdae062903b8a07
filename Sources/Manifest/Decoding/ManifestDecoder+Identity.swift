import XenplanBasics
import XenplanYAML

/// The keys a first-boot seed is made of: a domain's (or the defaults') `hostname`,
/// `sshKeys`, `passwordHash`, `seed`, `identityChanges`, and the lab-wide `sshKeys`.
extension ManifestDecoder {
    static let identityKeys = ["hostname", "sshKeys", "passwordHash", "seed", "identityChanges"]

    func decodeIdentity(_ fields: [String: NodeReader.Entry], into domain: inout DeclaredDomain, what: String) {
        if let entry = fields["hostname"], let text = reader.text(entry.value, for: "hostname of \(what)", expected: "a host name") {
            if Syntax.isGuestHostName(text.value) {
                domain.hostname = text
            } else {
                reader.report(.invalidHostName(text.value, of: what, at: text.location))
            }
        }
        domain.sshKeys = fields["sshKeys"].flatMap { sshKeys($0.value, of: what) }
        // The value is never shown: a mistaken clear-text password must not reach a
        // terminal or a CI log.
        if let entry = fields["passwordHash"],
            let text = reader.text(entry.value, for: "passwordHash of \(what)", expected: "a crypt(3) hash")
        {
            if Syntax.isPasswordHash(text.value) {
                domain.passwordHash = text
            } else {
                reader.report(.notAPasswordHash(of: what, at: text.location))
            }
        }
        domain.seed = fields["seed"].flatMap { reader.bool($0.value, for: "seed of \(what)") }
        domain.identityChanges = fields["identityChanges"].flatMap {
            reader.choice($0.value, for: "identityChanges of \(what)", as: IdentitySpec.Changes.self)
        }
    }

    /// A list of `authorized_keys` lines of `owner` (a domain, or the lab).
    func sshKeys(_ node: Node, of owner: String) -> Declared<[String]>? {
        guard let items = reader.list(node, for: "sshKeys of \(owner)") else { return nil }
        guard items.count <= Syntax.maximumSSHKeys else {
            reader.report(
                .error(
                    "sshKeys of \(owner) lists \(items.count) keys; at most \(Syntax.maximumSSHKeys) are accepted",
                    at: reader.location(node)))
            return nil
        }
        var keys: [String] = []
        for (index, item) in items.enumerated() {
            let field = "ssh key \(index + 1) of \(owner)"
            guard let text = reader.text(item, for: field, expected: "an ssh public key line") else { continue }
            if let problem = Syntax.sshKeyProblem(text.value) {
                reader.report(.error("\(field) is refused: \(problem)", at: text.location))
            } else {
                keys.append(text.value)
            }
        }
        return Declared(value: keys, location: reader.location(node))
    }
}

extension Diagnostic {
    static func invalidHostName(_ name: String, of what: String, at location: SourceLocation) -> Diagnostic {
        .error(
            "\(shown(name)) is not a valid hostname for \(what): use letters, digits and '-' in dot-separated labels of 1 to 63 characters, none starting or ending with '-'",
            at: location)
    }

    static func notAPasswordHash(of what: String, at location: SourceLocation) -> Diagnostic {
        .error(
            "passwordHash of \(what) must be a crypt(3) hash such as $6$… (mkpasswd -m sha-512 or -m yescrypt); a clear-text password is never accepted",
            at: location)
    }
}
