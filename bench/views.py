from django.shortcuts import render


def baseline(request):
    """A bare Django view: the same middleware as every page, a trivial template, no query."""
    return render(request, "bench/baseline.html", {"greeting": "微心愿"})
