import plugins

print(plugins.describe())
