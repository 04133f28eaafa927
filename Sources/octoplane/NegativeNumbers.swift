/// Lets every numeric option take a negative value in the ordinary spelling.
///
/// ArgumentParser reads a token that starts with "-" as an option name, so `--bounds -1 -1 -1 1 1 1`,
/// `--elevation -20` and `--points -5` end in "Missing value". Before parsing, a negative number that
/// follows a long option (`--name`), directly or after other numbers given to it, is attached to
/// that option (`--name=-1`); the bare `--name` is dropped when its first value is so attached.
/// ArgumentParser appends repeated `--name=v` of an array option in order, so
/// `--bounds -1 -1 -1 1 1 1` reads as `--bounds=-1 --bounds=-1 --bounds=-1 1 1 1` = (−1, −1, −1, 1, 1, 1).
/// Nothing after a bare `--` is touched; short options and `--name=value` pass unchanged; a number
/// after a flag becomes `--flag=-1`, which ArgumentParser refuses with its own message.
enum NegativeNumbers {
    /// A token such as -1, -0.5, -.5, -1e-3, -2E+4 (not -x, not --name).
    static func isNegativeNumber(_ s: String) -> Bool {
        guard s.count >= 2, s.hasPrefix("-"), let c = s.dropFirst().first, c.isNumber || c == "." else { return false }
        return Double(s) != nil
    }

    static func isNumber(_ s: String) -> Bool { Double(s) != nil }

    static func rewrite(_ args: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(args.count)
        var option: String? = nil        // the long option whose values we are reading
        var bare = false                 // out.last is that option without a value yet
        for (n, a) in args.enumerated() {
            if a == "--" { out += args[n...]; return out }
            if let o = option, isNegativeNumber(a) {
                if bare { out.removeLast(); bare = false }
                out.append("\(o)=\(a)")
                continue
            }
            if isNumber(a) { bare = false; out.append(a); continue }
            if a.hasPrefix("--") && !a.contains("=") { option = a; bare = true } else { option = nil; bare = false }
            out.append(a)
        }
        return out
    }
}
