import FoundationEssentials
import Planner
import XenplanBasics

/// The JSON form of a plan, for `--json` and for saved plans.
enum PlanJSON {
    static func encode(_ plan: Plan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(plan), as: UTF8.self)
    }

    static func decode(_ data: Data, path: String) throws -> Plan {
        do {
            let plan = try JSONDecoder().decode(Plan.self, from: data)
            guard plan.formatVersion <= Plan.currentFormatVersion else {
                throw UserFacingError("\(path): plan format \(plan.formatVersion) is newer than this xenplan reads (\(Plan.currentFormatVersion))")
            }
            return plan
        } catch let error as UserFacingError {
            throw error
        } catch {
            throw UserFacingError("\(path): not a xenplan plan file (\(ErrorText.of(error)))")
        }
    }
}
