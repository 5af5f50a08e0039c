/// An array filled in place by parallel workers, each writing only its own slots, so no lock is needed.
struct DisjointSlots<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}
