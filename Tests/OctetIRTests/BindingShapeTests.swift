import OctetIR
import Testing

@Suite("Binding input shapes")
struct BindingShapeTests {
    static func model() -> Graph {
        var g = singleNode(.conv(ConvAttributes(strides: [2, 2], pads: [1, 1, 1, 1])), inputs: [("x", ["N", 3, "H", "W"])],
                           initializers: ["w": zeros([8, 3, 3, 3])], extraInputs: ["w"])
        g.outputs[0].shape = dims(["N", 8, "?", "?"])
        return g
    }

    @Test func bindsEveryDimensionAndInferenceComputesWithNumbers() throws {
        let bound = try Self.model().bindingInputShapes(["x": [4, 3, 64, 48]])
        #expect(bound.inputs[0].shape == dims([4, 3, 64, 48]))
        #expect(bound.outputs[0].shape == dims([4, 8, "?", "?"]))
        let shaped = try bound.inferringShapes()
        #expect(shaped.valueInfo["y"]?.shape == dims([4, 8, 32, 24]))
        #expect(shaped.outputs[0].shape == dims([4, 8, 32, 24]))
    }

    @Test func rejectsShapesThatContradictTheDeclaration() {
        #expect(irErrorMessage { _ = try Self.model().bindingInputShapes(["x": [1, 4, 8, 8]]) }
                == #"input "x": declared [N,3,H,W], cannot be [1, 4, 8, 8]"#)
        #expect(irErrorMessage { _ = try Self.model().bindingInputShapes(["x": [1, 3, 8]]) }
                == #"input "x": has 4 dims [N,3,H,W], got 3 [1, 3, 8]"#)
        #expect(irErrorMessage { _ = try Self.model().bindingInputShapes(["image": [1, 3, 8, 8]]) }
                == #"the graph has no input "image" (inputs: x)"#)
    }

    @Test func unboundNamesStayNamed() throws {
        let shaped = try Self.model().inferringShapes()
        #expect(shaped.valueInfo["y"]?.shape == dims(["N", 8, "?", "?"]))
    }

    @Test func declaredNamesFillWhatInferenceCannotTell() throws {
        var g = Self.model()
        g.outputs[0].shape = dims(["batch", 8, "H2", "W2"])
        let shaped = try g.inferringShapes()
        // Inference wins where it knows (N, 8); the declaration names the halved sizes.
        #expect(shaped.outputs[0].shape == dims(["N", 8, "H2", "W2"]))
    }
}
