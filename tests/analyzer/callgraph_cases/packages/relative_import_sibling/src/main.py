from accounts.signup import register

print(register("ada", "ada@example.com"))
