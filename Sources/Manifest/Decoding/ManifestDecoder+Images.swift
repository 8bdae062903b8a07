import XenplanBasics
import XenplanYAML

/// `images:`: disk images new volumes are filled from.
extension ManifestDecoder {
    static let imageKeys = ["path", "format", "sha256", "hosts", "pool"]
    static let imageRequiredKeys = ["path"]

    mutating func decodeImages(_ node: Node) {
        for object in namedObjects(node, section: "images", kind: "image", keys: Self.imageKeys, required: Self.imageRequiredKeys) {
            let (what, fields) = (object.what, object.fields)
            var image = DeclaredImage(name: object.name, locations: object.locations)

            image.pool = fields["pool"].flatMap { reader.name($0.value, for: "pool of \(what)") }
            if let entry = fields["path"], let path = reader.text(entry.value, for: "path of \(what)", expected: "a path") {
                decodeImagePath(path, inPool: fields["pool"] != nil, into: &image, what: what)
            }
            if let format = fields["format"].flatMap({ reader.choice($0.value, for: "format of \(what)", as: ImageSpec.Format.self) }) {
                image.format = format.value
            }
            if let entry = fields["sha256"], let digest = reader.text(entry.value, for: "sha256 of \(what)", expected: "64 hexadecimal digits") {
                if digest.value.utf8.count == 64 && digest.value.utf8.allSatisfy(Syntax.isHex) {
                    image.sha256 = digest.value.lowercased()
                } else {
                    reader.report(
                        .error(
                            "sha256 of \(what) must be 64 hexadecimal digits (what sha256sum prints), not \(shown(digest.value, limit: 70))",
                            at: digest.location))
                }
            }
            if let entry = fields["hosts"] {
                if let pool = fields["pool"] {
                    reader.report(
                        .error(
                            "\(what) has both hosts and pool; the hosts of a pool's image are the pool's hosts, so write one of them",
                            at: pool.keyLocation))
                }
                image.hosts = hostList(entry.value, of: what, ifEmpty: "name the hosts that have the image, or leave hosts out for every host")
            }
            file.images.append(image)
        }
    }

    /// Absolute, or (with `pool`) relative to the pool's directory; never through `..`.
    private func decodeImagePath(_ path: Declared<String>, inPool: Bool, into image: inout DeclaredImage, what: String) {
        switch Syntax.pathProblem(path.value) {
        case nil:
            image.path = path
        case .notAbsolute where inPool:
            if let problem = Syntax.pathProblem("/" + path.value) {
                reader.report(.badPath(path.value, for: "path of \(what)", problem: problem, at: path.location))
            } else if path.value.split(separator: "/").allSatisfy({ $0 == "." }) {
                reader.report(
                    .error(
                        "path \(shown(path.value)) of \(what) names the pool's directory itself, not a file in it",
                        at: path.location))
            } else {
                image.path = path
                image.pathIsRelative = true
            }
        case .notAbsolute:
            reader.report(
                .error(
                    "path \(shown(path.value)) of \(what) is not absolute; write an absolute path, or name the dir pool it lives in (pool) to make it relative to the pool's directory",
                    at: path.location))
        case let problem?:
            reader.report(.badPath(path.value, for: "path of \(what)", problem: problem, at: path.location))
        }
    }
}
