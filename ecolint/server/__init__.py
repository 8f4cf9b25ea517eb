"""ecolint in the editor: a language server (``ecolint server``) that shows findings as the
code is written, with the rule's fix as a code action and the measured rows on hover. It needs
pygls (``pip install 'ecolint[server]'``); nothing else of ecolint imports this package."""
