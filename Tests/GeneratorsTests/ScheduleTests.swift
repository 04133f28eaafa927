import Foundation
import Testing
import Generators

@Suite("Diffusion schedules")
struct ScheduleTests {
    @Test("the linear schedule runs from 1e-4 to 0.02 (scaled by 1000/T), ᾱ falls monotonically to nearly 0")
    func linearEndpoints() {
        for steps in [1000, 250] {
            let s = DiffusionSchedule(.scaledLinear(steps: steps), steps: steps)
            let scale = 1000 / Double(steps)
            #expect(s.count == steps && s.timesteps == Array(0..<steps))
            #expect(Swift.abs(s.betas[0] - 1e-4 * scale) < 1e-15 && Swift.abs(s.betas[steps - 1] - 0.02 * scale) < 1e-15)
            #expect(zip(s.alphaBars, s.alphaBars.dropFirst()).allSatisfy { $0 > $1 })
            #expect(s.alphaBars.last! < 1e-4 && s.alphaBars.last! > 0)
        }
    }

    @Test("the cosine schedule's ᾱ is cos²(((t/T + s)/(1 + s))·π/2)/f(0) until β reaches its 0.999 cap")
    func cosineClosedForm() {
        let steps = 1000, s0 = 0.008
        let s = DiffusionSchedule(.cosine, steps: steps)
        func f(_ t: Double) -> Double { let c = Foundation.cos((t / Double(steps) + s0) / (1 + s0) * Double.pi / 2); return c * c }
        #expect(s.betas.allSatisfy { $0 <= 0.999 })
        #expect(s.betas.last! == 0.999)   // the last step is capped
        for t in [0, 1, 10, 500, 900, 990] { #expect(Swift.abs(s.alphaBars[t] - f(Double(t + 1)) / f(0)) < 1e-12) }
        #expect(zip(s.alphaBars, s.alphaBars.dropFirst()).allSatisfy { $0 > $1 })
        #expect(s.alphaBars.last! < 1e-8)
        #expect(s.sqrtAlphaBars[123] == s.alphaBars[123].squareRoot() && s.sqrtOneMinusAlphaBars[123] == (1 - s.alphaBars[123]).squareRoot())
    }

    @Test("respacing keeps ᾱ at every kept timestep and maps entries to the model's timesteps")
    func respacingKeepsAlphaBar() {
        let s = DiffusionSchedule(.cosine, steps: 100)
        let kept = [0, 9, 10, 50, 99]
        let r = s.respaced(kept)
        #expect(r.timesteps == kept)
        for (j, i) in kept.enumerated() { #expect(Swift.abs(r.alphaBars[j] - s.alphaBars[i]) < 1e-14) }
        #expect(r.alphaBarsPrevious[0] == 1 && r.posteriorVariances[0] == 0)
    }

    @Test("evenly spaced steps include 0 and T − 1, trailing ones end at T − 1, both distinct and ascending")
    func spacing() {
        for (n, total) in [(1, 10), (7, 10), (10, 10), (50, 1000), (3, 1000), (999, 1000)] {
            for spacing in TimestepSpacing.allCases {
                let ts = spacing.timesteps(n, of: total)
                #expect(ts.count == n && ts.last == total - 1)
                #expect(zip(ts, ts.dropFirst()).allSatisfy { $0 < $1 } && ts.first! >= 0)
                if spacing == .even && n > 1 { #expect(ts.first == 0) }
            }
        }
        #expect(TimestepSpacing.even.timesteps(5, of: 1000) == [0, 250, 500, 749, 999])
        #expect(TimestepSpacing.trailing.timesteps(5, of: 1000) == [199, 399, 599, 799, 999])
    }
}
