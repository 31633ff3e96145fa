import notify
from notify import send_text
from sdk import Client


def alert(user, number, message):
    return [notify.send_email(user, message), send_text(number, message)]


print(alert("ada", "+15550100", "disk full"))
print(Client("https://api.example.com/").get("/status"))
