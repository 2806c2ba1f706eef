"""Live: the positioned stream of each show and its fan-out to consoles over websockets.

Vocabulary (after Centrifuge): a *publication* is one message of a show's stream, stamped with
its *position* (epoch, offset); the *hub* holds this process's console connections; each
*connection* has a bounded queue and one sender task.
"""
