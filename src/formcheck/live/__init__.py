"""Live coaching (``formcheck live``): camera or paced file -> pose -> causal analysis -> cues."""
