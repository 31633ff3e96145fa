import geometry
from services import mailer

area = geometry.circle_area(2)
print(mailer.send("ops@example.com", f"area is {area:.1f}"))
