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


def test_a_function_named_as_a_value_is_a_reference(write_tree: WriteTree) -> None:
    # CTFd's init_template_globals imports accounts_visible in its body and hands it to
    # jinja_env.globals.update(accounts_visible=accounts_visible): no call, still a dependency
    root = write_tree(
        {
            "vis.py": """
                def shown():
                    return True

                def hidden():
                    return False

                def local_only():
                    return None
            """,
            "init.py": """
                from vis import hidden

                def setup(env, handlers):
                    from vis import shown

                    env.update(shown=shown)
                    handlers.append(hidden)
                    shown = "rebound"  # a later local binding does not undo the reference

                def calls_only():
                    from vis import local_only

                    return local_only()

                def parameter(shown):
                    return shown

                def route(function):
                    return function

                @route
                def decorated():
                    return None
            """,
        }
    )
    analysis = run_analysis(root)
    references = edges_of(analysis, "reference")
    assert ("init.setup", "vis.shown") in references
    assert ("init.setup", "vis.hidden") in references
    # a call is a call edge, not also a reference; a parameter of the same name is not the function
    assert ("init.calls_only", "vis.local_only") not in references
    assert ("init.calls_only", "vis.local_only") in edges_of(analysis, "call")
    assert not [edge for edge in references if edge[0] == "init.parameter"]
    # applying a decorator hands it the function: the module does not refer to its own function
    assert ("init", "init.decorated") not in references
