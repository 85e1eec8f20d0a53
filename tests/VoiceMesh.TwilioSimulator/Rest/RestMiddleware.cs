using System.Net.Http.Headers;
using System.Text;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;

namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>
/// In front of every <c>/2010-04-01</c> request: logs it, applies latency and injected errors, and checks HTTP
/// Basic credentials against the account in the path (20003 otherwise).
/// </summary>
internal sealed class RestMiddleware(
    RequestDelegate next, RequestLog log, FaultState faults, SimulatorAccounts accounts, VirtualScheduler scheduler)
{
    public const string AccountSidItem = "Simulator.AccountSid";
    public const string AuthTokenItem = "Simulator.AuthToken";
    public const string FaultItem = "Simulator.Fault";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var time = scheduler.Now;
        var form = request.HasFormContentType
            ? (await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))
                .ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToArray(), StringComparer.Ordinal)
            : new Dictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            await HandleAsync(context).ConfigureAwait(false);
        }
        finally
        {
            log.Add(id => new RecordedRequest
            {
                Id = id,
                Time = time,
                Method = request.Method,
                Path = request.Path.Value ?? "",
                Query = request.QueryString.Value ?? "",
                Form = form,
                StatusCode = context.Response.StatusCode,
                AccountSid = context.Items[AccountSidItem] as string,
                Fault = context.Items[FaultItem] as string,
            });
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (faults.Latency is { } latency && latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, TimeProvider.System, context.RequestAborted).ConfigureAwait(false);
        }

        if (faults.TakeInjectedError(context.Request.Method, context.Request.Path.Value ?? "") is { } injected)
        {
            context.Items[FaultItem] = "injected-error";
            await injected.ToResult().ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (RecordingEndpoints.IsMedia(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var (user, password) = BasicCredentials(context.Request);
        if (user is null || accounts.TokenOf(user) is not { } token || !string.Equals(token, password, StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Twilio API\"";
            await TwilioError.AuthenticationFailed().ToResult().ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Items[AccountSidItem] = user;
        context.Items[AuthTokenItem] = token;
        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 3 && segments[1] == "Accounts" && !string.Equals(segments[2].Replace(".json", "", StringComparison.Ordinal), user, StringComparison.Ordinal))
        {
            await TwilioError.NotFound(context.Request.Path).ToResult().ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static (string? User, string? Password) BasicCredentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return (null, null);
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (null, null) : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
