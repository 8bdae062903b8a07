import ArgumentParser
import Foundation
import Testing

@testable import XenplanCLI

/// The CI recipes and systemd units in examples/ci call xenplan with commands and options
/// that exist: each `xenplan …` command line in them parses as the binary would parse it.
@Suite struct CIRecipeTests {
    static let directory = Repository.root.appendingPathComponent("examples/ci")

    /// `xenplan ARGS` up to the first shell operator, from every line that runs it.
    static func commandLines(in text: String) -> [[String]] {
        var found: [[String]] = []
        let commands = Set(XenplanMain.configuration.subcommands.compactMap { $0.configuration.commandName })
        for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            // A comment at the end of a line is prose.
            var rest = line.range(of: " #").map { line[..<$0.lowerBound] } ?? Substring(line)
            while let range = rest.range(of: "xenplan ") {
                let before = rest[..<range.lowerBound].last
                rest = rest[range.upperBound...]
                guard before == nil || before == " " || before == "/" || before == "(" else { continue }
                var words: [String] = []
                for word in rest.split(separator: " ") {
                    if [">", ">>", "|", "||", "&&", ";", "2>&1"].contains(word) || word.hasPrefix(">") || word.hasPrefix(")") { break }
                    words.append(String(word))
                }
                if let first = words.first, commands.contains(first) { found.append(words) }
            }
        }
        return found
    }

    @Test func everyCommandInTheRecipesParses() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".service") }
        var checked = 0
        for file in files.sorted() {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
            for argv in Self.commandLines(in: text) {
                #expect(throws: Never.self, "\(file): xenplan \(argv.joined(separator: " "))") { _ = try XenplanMain.parseAsRoot(argv) }
                checked += 1
            }
        }
        // The drift and backup units, the GitLab job and the GitHub workflow.
        #expect(checked >= 10)
    }

    @Test func aMistypedOptionWouldBeCaught() {
        #expect(throws: (any Error).self) { _ = try XenplanMain.parseAsRoot(["drift", ".", "--formatt", "junit"]) }
        #expect(Self.commandLines(in: "  - xenplan plan . --out plan.json > plan.txt || status=$?") == [["plan", ".", "--out", "plan.json"]])
    }
}
