class Node:
    def __init__(self, name):
        self.name = name
        self.parent = None
        self.children = []

    def add_child(self, child: "Node") -> "Node":
        child.set_parent(self)
        self.children.append(child)
        return child

    def set_parent(self, parent: "Node"):
        self.parent = parent


def build_tree() -> Node:
    root = Node("root")
    root.add_child(Node("docs")).add_child(Node("api"))
    return root


print(build_tree().children[0].children[0].name)
