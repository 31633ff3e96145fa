def greet(name):
    return f"hello {name}"


def run_expression(expression):
    return eval(expression, {"greet": greet})


def run_snippet(snippet):
    namespace = {"greet": greet}
    exec(snippet, namespace)
    return namespace["result"]


print(run_expression("greet('ada')"))
print(run_snippet("result = greet('bob')"))
