"""Deploying to Logto through its Management API: the target (:mod:`.target`), the HTTP client
(:mod:`.client`, httpx: imported by ``deploy`` and ``pull`` only), the plan (:mod:`.plan`), applying it
(:mod:`.apply`) and pulling a project out of Logto (:mod:`.pull`)."""
