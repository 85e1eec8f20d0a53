using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;
using Twilio.Clients;
using Twilio.Http;

namespace VoiceMesh.ServiceDefaults;

public static class TwilioClientExtensions
{
    public const string HttpClientName = "twilio";

    /// <summary>The named client for Twilio media downloads (<see cref="AddTwilioMediaClient"/>).</summary>
    public const string MediaHttpClientName = "twilio-media";

    /// <summary>
    /// The official Twilio SDK client over an <see cref="IHttpClientFactory"/> client whose resilience pipeline is
    /// the only retry layer for Twilio REST (<see cref="TwilioRestPolicy"/>), and the Twilio failure classes of the
    /// messaging retry policy. <c>Twilio:ApiBaseUrl</c> redirects every request (to the simulator); otherwise it
    /// goes to Twilio. The pipeline's retries and breaker turns are reported by <see cref="ResilienceTelemetry"/>.
    /// </summary>
    /// <remarks>
    /// Every slice that talks to Twilio calls this; the client and its pipeline are built once, by the first call, so
    /// pipelines never stack (their retries would multiply and an outer attempt timeout would cut an inner retry).
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="innermost">Handlers to run below the resilience pipeline, once per HTTP attempt (e.g. pacing).</param>
    public static IServiceCollection AddTwilioClient(this IServiceCollection services, Action<IHttpClientBuilder>? innermost = null)
    {
        var client = services.AddTwilioHttpClient(HttpClientName);
        innermost?.Invoke(client);
        services.TryAddScoped<ITwilioRestClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http));
        });
        return services;
    }

    /// <summary>
    /// A plain <see cref="HttpClient"/> (<see cref="MediaHttpClientName"/>) for what the SDK does not fetch, such as
    /// recording media: the same base-address rewrite and resilience pipeline as the SDK's client, and HTTP Basic
    /// authentication with the account sid and auth token (Twilio's media authentication, when enabled).
    /// </summary>
    public static IHttpClientBuilder AddTwilioMediaClient(this IServiceCollection services)
    {
        services.AddTransient<TwilioBasicAuthenticationHandler>();
        return services.AddTwilioHttpClient(MediaHttpClientName).AddHttpMessageHandler<TwilioBasicAuthenticationHandler>();
    }

    /// <summary>The named client with its base-address rewrite and resilience pipeline, added once per name.</summary>
    private static IHttpClientBuilder AddTwilioHttpClient(this IServiceCollection services, string name)
    {
        var registration = new TwilioHttpClientRegistration(name);
        if (services.Any(d => registration.Equals(d.ImplementationInstance)))
        {
            return services.AddHttpClient(name);
        }

        services.AddSingleton(registration);
        services.AddValidatedOptions<TwilioOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailureClassifier, TwilioFailureClassifier>());
        services.AddTransient<TwilioBaseAddressHandler>();
        services.AddMetrics();
        services.TryAddSingleton<ResilienceTelemetry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TelemetryOptions>, ResilienceTelemetrySetup>());
        var client = services.AddHttpClient(name).AddHttpMessageHandler<TwilioBaseAddressHandler>();
        client.AddStandardResilienceHandler(TwilioRestPolicy.Configure);
        return client;
    }
}

/// <summary>Marks a named Twilio client as built (<see cref="TwilioClientExtensions"/>).</summary>
internal sealed record TwilioHttpClientRegistration(string Name);

/// <summary>Authenticates requests with the account sid and auth token, as Twilio's media URLs accept.</summary>
public sealed class TwilioBasicAuthenticationHandler(IOptions<TwilioOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var credentials = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{options.Value.AccountSid}:{options.Value.AuthToken}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", credentials);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// The one retry policy for Twilio REST, per HTTP request:
/// <list type="bullet">
/// <item>retried up to <see cref="MaxRetries"/> times with exponential backoff from 1 s and jitter: 429 (after its
/// <c>Retry-After</c>) and 5xx for every request, since Twilio acted on neither; a lost connection or timeout
/// only for a request that creates nothing (a create whose answer was lost is looked up, never repeated);</item>
/// <item>a circuit breaker opened by 5xx and connection failures (never 429): at least <see cref="BreakerMinimumThroughput"/>
/// requests in 20 s of which half failed open it for <see cref="BreakDuration"/>, then one probe is let through;</item>
/// <item>10 s per attempt, 60 s in all.</item>
/// </list>
/// So during a Twilio outage of D seconds a service sends at most the requests already in flight when the breaker
/// opens, plus one probe per <see cref="BreakDuration"/>. What a failure that outlasts this means for a message is the
/// messaging policy's outage hold (<see cref="TwilioFailureClassifier"/>).
/// </summary>
public static class TwilioRestPolicy
{
    public const int MaxRetries = 3;
    public const int BreakerMinimumThroughput = 4;
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(10);

    internal static void Configure(HttpStandardResilienceOptions o)
    {
        o.Retry.MaxRetryAttempts = MaxRetries;
        o.Retry.BackoffType = DelayBackoffType.Exponential;
        o.Retry.UseJitter = true;
        o.Retry.Delay = TimeSpan.FromSeconds(1);
        o.Retry.ShouldRetryAfterHeader = true;
        o.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context));
        o.CircuitBreaker.FailureRatio = 0.5;
        o.CircuitBreaker.MinimumThroughput = BreakerMinimumThroughput;
        o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(20);
        o.CircuitBreaker.BreakDuration = BreakDuration;
        o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
        o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(60);
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Exception is BrokenCircuitException)
        {
            return false;
        }

        if (outcome.Result is { } response)
        {
            return response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
        }

        return HttpClientResiliencePredicates.IsTransient(outcome) && !TwilioRequests.Creates(context.GetRequestMessage());
    }
}
