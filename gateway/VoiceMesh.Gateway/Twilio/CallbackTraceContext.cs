using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Lets Twilio's callbacks continue the trace that asked for them. Twilio sends no <c>traceparent</c> header, so a
/// service that hands Twilio a callback URL (a placement's status callback) puts its W3C trace context in that URL's
/// query (<c>?traceparent=00-...</c>); Twilio signs the whole URL, query included, so the signature check rejects a
/// changed one.
/// <para>
/// ASP.NET Core's hosting starts the request's server span, and OpenTelemetry's instrumentation checks its parent,
/// from the request headers alone (the propagators' carrier is the header dictionary), before any middleware runs.
/// So the copy happens one step earlier, where hosting creates the <see cref="HttpContext"/>: this factory wraps
/// <see cref="DefaultHttpContextFactory"/> and, for a request under <c>/twilio/</c> without a <c>traceparent</c>
/// header, copies one well-formed <c>traceparent</c> query value into the headers. A header always wins; a malformed,
/// repeated or empty query value is ignored and the request starts a trace of its own.
/// </para>
/// </summary>
internal sealed class CallbackTraceContext(IServiceProvider services) : IHttpContextFactory
{
    public const string TraceParent = "traceparent";

    private readonly DefaultHttpContextFactory _inner = new(services);

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        if (featureCollection.Get<IHttpRequestFeature>() is { } request)
        {
            ContinueFromQuery(request);
        }

        return _inner.Create(featureCollection);
    }

    public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);

    /// <summary>Copies the query's trace context of a Twilio callback into its headers, unless a header carries one.</summary>
    internal static void ContinueFromQuery(IHttpRequestFeature request)
    {
        if (!new PathString(request.Path).StartsWithSegments("/twilio")
            || request.Headers.ContainsKey(TraceParent)
            || string.IsNullOrEmpty(request.QueryString))
        {
            return;
        }

        if (QueryHelpers.ParseQuery(request.QueryString).TryGetValue(TraceParent, out var values)
            && values is [{ } value]
            && IsWellFormed(value))
        {
            request.Headers[TraceParent] = value;
        }
    }

    /// <summary>A W3C <c>traceparent</c> of version 00: <c>00-{32 hex trace id}-{16 hex span id}-{2 hex flags}</c>, ids not all zero.</summary>
    internal static bool IsWellFormed(string value) =>
        value.Length == 55
        && value.StartsWith("00-", StringComparison.Ordinal)
        && ActivityContext.TryParse(value, traceState: null, out var context)
        && context.TraceId != default
        && context.SpanId != default;
}
