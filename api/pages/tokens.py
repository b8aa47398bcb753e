"""The page where a user creates, lists and revokes their personal API tokens. A new token is shown once,
in the answer to the form that created it (never stored, never in a redirect or the session)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.pages.forms import TokenForm
from measures import services
from measures.models import ApiToken
from measures.roles import reader_required


@reader_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request):
    form, created, secret = TokenForm(), None, None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                created, secret = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
            except services.ServiceError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "secret": secret,
        "tokens": list(ApiToken.objects.filter(user=request.user)),
        "notices": [str(message) for message in messages.get_messages(request)],
    }
    return render(request, "api/tokens.html", context)


@reader_required
@require_POST
def revoke(request, token_id):
    try:
        token = services.revoke_api_token(user=request.user, token_id=token_id)
    except services.ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The token “{token.name}” is revoked: requests with it are refused from now on.")
    return redirect("api:tokens")
