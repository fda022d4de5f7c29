"""From a composed project to the final Logto JSON: templating, finalizing, writing, checking."""
