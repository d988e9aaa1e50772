from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def dashboard(request):
    return render(
        request,
        "cases/dashboard.html",
        {"status_counts": selectors.status_counts(request.user)},
    )
