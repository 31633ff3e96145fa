"""Resolution terminates on self-referential and cyclic code, and stays precise."""

from __future__ import annotations

from tests.conftest import WriteTree, edges_of, run_analysis


def test_cycles_and_self_references_terminate(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "a.py": """
                from b import helper, Left
                pair = pair
                x, y = pair
                first, second = y, x

                class Right(Left):
                    pass

                def run():
                    x()
                    first()
                    return helper()
            """,
            "b.py": """
                from a import helper as _again, Right

                def helper():
                    return _again()

                class Left(Right):
                    def go(self):
                        return self.go()
            """,
        }
    )
    analysis = run_analysis(root)
    assert analysis.problems == ()
    assert ("a.run", "b.helper") in edges_of(analysis, "call")


def test_unpacking_a_returned_tuple_is_positional(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "m.py": """
                def encode(x):
                    return x

                def decode(x):
                    return x

                def codec():
                    return encode, decode

                def use():
                    enc, dec = codec()
                    return dec(1)
            """,
        }
    )
    calls = edges_of(run_analysis(root), "call")
    assert ("m.use", "m.decode") in calls
    assert ("m.use", "m.encode") not in calls
