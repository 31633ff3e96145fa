class QueryBuilder:
    def __init__(self, table):
        self.table = table
        self.filters = []
        self.max_rows = None

    def where(self, condition):
        self.filters.append(condition)
        return self

    def limit(self, count):
        self.max_rows = count
        return self

    def _where_clause(self):
        return " AND ".join(self.filters) if self.filters else "1=1"

    def build(self):
        sql = f"SELECT * FROM {self.table} WHERE {self._where_clause()}"
        if self.max_rows is not None:
            sql += f" LIMIT {self.max_rows}"
        return sql


def recent_orders_query():
    return QueryBuilder("orders").where("status = 'paid'").where("total > 10").limit(5).build()


print(recent_orders_query())
