/// A small XML element tree for Query and REST-XML responses.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLNode]
    public init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// First direct child with this local name.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    /// Follows a path of child names, e.g. `node["DescribeVpcsResult", "vpcSet"]`.
    public subscript(_ path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for p in path { node = node?.child(p) }
        return node
    }
    /// Every descendant (depth first) with this local name.
    public func descendants(_ name: String) -> [XMLNode] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }
}
