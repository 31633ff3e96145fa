def summarize_scores(scores):
    def clamp(value):
        return max(0, min(100, value))

    def average(values):
        cleaned = [clamp(value) for value in values]
        return sum(cleaned) / len(cleaned)

    return round(average(scores), 1)


print(summarize_scores([90, 120, -5, 70]))
