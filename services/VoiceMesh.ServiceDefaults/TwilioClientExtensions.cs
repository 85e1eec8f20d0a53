using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Twilio.Clients;
using Twilio.Http;

namespace VoiceMesh.ServiceDefaults;

public static class TwilioClientExtensions
{
    public const string HttpClientName = "twilio";

    /// <summary>
    /// The official Twilio SDK client over an <see cref="IHttpClientFactory"/> client with a resilience pipeline:
    /// timeouts, a circuit breaker, and retries with backoff and jitter: 429 always (honouring Retry-After), 5xx
    /// and network errors for safe methods only. Other POST failures are not retried here: Twilio's Calls create
    /// has no idempotency key, so callers that create resources decide themselves whether a retry is safe. <c>Twilio:ApiBaseUrl</c> redirects every
    /// request (to the simulator); otherwise it goes to Twilio.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="innermost">Handlers to run below the resilience pipeline, once per HTTP attempt (e.g. pacing).</param>
    public static IServiceCollection AddTwilioClient(this IServiceCollection services, Action<IHttpClientBuilder>? innermost = null)
    {
        services.AddValidatedOptions<TwilioOptions>();
        services.AddTransient<TwilioBaseAddressHandler>();
        var client = services.AddHttpClient(HttpClientName).AddHttpMessageHandler<TwilioBaseAddressHandler>();
        client.AddStandardResilienceHandler(o =>
        {
            o.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context));

            // A 429 says "slower", not "broken": it must not open the breaker for every other request.
            o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        });
        innermost?.Invoke(client);
        services.AddScoped<ITwilioRestClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http));
        });
        return services;
    }

    /// <summary>
    /// A 429 is retried whatever the method, after its <c>Retry-After</c>: Twilio refused the request before doing
    /// anything. Other transient failures are retried only for methods that are safe to repeat.
    /// </summary>
    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return true;
        }

        var method = context.GetRequestMessage()?.Method;
        return (method == System.Net.Http.HttpMethod.Get || method == System.Net.Http.HttpMethod.Head) && HttpClientResiliencePredicates.IsTransient(outcome);
    }
}
