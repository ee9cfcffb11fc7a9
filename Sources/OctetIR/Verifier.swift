// CONTRACT STUB (replaced by the verifier work).
extension Graph {
    /// Checks that every input is defined before use, names are unique, and ops have legal arities.
    public func verify() throws(IRError) {}
}
