def load_config():
    return {"host": "localhost", "debug": True}


def start_server(config):
    mode = "debug" if config["debug"] else "production"
    return f"serving on {config['host']} ({mode})"


def main():
    config = load_config()
    print(start_server(config))


if __name__ == "__main__":
    main()
