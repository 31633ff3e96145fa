def last_name(full_name):
    return full_name.split()[-1]


def sort_people(people):
    return sorted(people, key=lambda person: last_name(person).lower())


print(sort_people(["Ada Lovelace", "Alan Turing", "Grace Hopper"]))
