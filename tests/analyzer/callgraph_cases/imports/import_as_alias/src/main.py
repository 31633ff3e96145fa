import json as serializer

import reporting.formatters as fmt

rows = [("id", "name"), (1, "ada"), (2, "linus")]
print(fmt.as_table(rows))
print(serializer.dumps(rows))
