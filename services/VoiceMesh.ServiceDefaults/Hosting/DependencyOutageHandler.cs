using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// An HTTP request that failed because a dependency is down (what <see cref="FailureClassification"/> calls an
/// outage: PostgreSQL unreachable or shutting down, Twilio not answering) is answered 503 with problem+json and a
/// <c>Retry-After</c>, so a client knows to try again, instead of a 500 with a stack trace in the log.
/// </summary>
internal sealed partial class DependencyOutageHandler(
    FailureClassification failures, IProblemDetailsService problems, ILogger<DependencyOutageHandler> logger) : IExceptionHandler
{
    /// <summary>The seconds a client is asked to wait; the consumers retry an outage every few seconds too.</summary>
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (failures.Classify(exception) != FailureKind.Outage)
        {
            return false;
        }

        LogOutage(httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = "A dependency of this service (its database or Twilio) cannot be reached; nothing was changed. Try again later.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a dependency is down ({ExceptionType}: {Reason})")]
    private partial void LogOutage(string method, PathString path, string exceptionType, string reason);
}
