using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Gateway.Api;

/// <summary>
/// One token bucket per authenticated API client on <c>/api/*</c> (its <c>PermitsPerSecond</c> and <c>Burst</c>);
/// everything else (Twilio webhooks, health) is never limited. Runs after authorization, so it sees the client;
/// an empty bucket is answered 429 problem+json with <c>Retry-After</c> in whole seconds.
/// </summary>
internal sealed class ApiRateLimiting(ApiClientRegistry clients) : IConfigureOptions<RateLimiterOptions>
{
    private static readonly PathString ApiPath = "/api";

    public void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
        options.OnRejected = (context, _) =>
        {
            var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                : 1;
            context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new ValueTask(ApiProblem.Write(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                $"This API key's rate is used up; retry after {seconds} s."));
        };
    }

    private RateLimitPartition<string> Partition(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ApiPath, StringComparison.OrdinalIgnoreCase)
        && context.User.Identity is { IsAuthenticated: true, AuthenticationType: ApiKeyAuthenticationHandler.SchemeName, Name: { } name }
        && clients.Named(name) is { } client
            ? RateLimitPartition.GetTokenBucketLimiter(client.Name, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = client.Burst,
                TokensPerPeriod = client.PermitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter("");
}
