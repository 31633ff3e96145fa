def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def flatten(tree):
    result = []
    for node in tree:
        if isinstance(node, list):
            result.extend(flatten(node))
        else:
            result.append(node)
    return result


print(factorial(5), is_even(10), flatten([1, [2, [3, [4]]]]))
