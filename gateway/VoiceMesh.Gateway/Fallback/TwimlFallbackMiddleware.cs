using Microsoft.Extensions.Options;
using VoiceMesh.Gateway.Routing;
using VoiceMesh.Gateway.Twilio;
using Yarp.ReverseProxy.Forwarder;

namespace VoiceMesh.Gateway.Fallback;

/// <summary>
/// The proxy step in front of every TwiML route: Calls has <c>Gateway:Fallback:Timeout</c> to answer; when it does
/// not, cannot be reached, or answers 5xx (whose body <see cref="TwimlServerErrors"/> held back), and nothing has been
/// sent yet, the caller gets the fallback TwiML with 200 instead of YARP's 502/504, which Twilio would play as "an
/// application error has occurred". Any other answer of Calls, 4xx included, passes untouched.
/// </summary>
internal sealed partial class TwimlFallbackMiddleware(
    RequestDelegate next,
    FallbackTwiml twiml,
    IOptions<TwimlFallbackOptions> options,
    FallbackMetrics metrics,
    TimeProvider clock,
    ILogger<TwimlFallbackMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!ManifestRoutes.IsTwiml(context.GetReverseProxyFeature().Route.Config))
        {
            await next(context);
            return;
        }

        // The forwarder cancels the request to Calls with HttpContext.RequestAborted: the caller's token, or the deadline.
        var caller = context.RequestAborted;
        using var deadline = new CancellationTokenSource(options.Value.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(caller, deadline.Token);
        context.RequestAborted = linked.Token;
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = caller;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (caller.IsCancellationRequested || context.Response.HasStarted
            || Reason(error, deadline.IsCancellationRequested, context.Response.StatusCode) is not { } reason)
        {
            return;
        }

        LogFallback(context.Request.Path, context.Features.Get<TwilioWebhook>()?.Field("CallSid"), reason, error?.Error, error?.Exception);
        metrics.Answered(context.Request.Path, reason);
        context.Response.Clear();
        await twiml.Apology().ExecuteAsync(context);
    }

    private static string? Reason(IForwarderErrorFeature? error, bool pastDeadline, int status) => error switch
    {
        null when status >= StatusCodes.Status500InternalServerError => FallbackReason.Error,
        null => null,
        { Error: ForwarderError.RequestTimedOut } => FallbackReason.Timeout,
        _ when pastDeadline => FallbackReason.Timeout,
        _ => FallbackReason.Unavailable,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calls could not answer {Path} for call {CallSid} ({Reason}, {ProxyError}): answered the fallback TwiML")]
    private partial void LogFallback(PathString path, string? callSid, string reason, ForwarderError? proxyError, Exception? exception);
}
