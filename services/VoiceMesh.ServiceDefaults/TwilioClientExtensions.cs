using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Http;

namespace VoiceMesh.ServiceDefaults;

public static class TwilioClientExtensions
{
    public const string HttpClientName = "twilio";

    /// <summary>
    /// The official Twilio SDK client over an <see cref="IHttpClientFactory"/> client with a resilience pipeline:
    /// timeouts, a circuit breaker, and retries with backoff and jitter on 429, 5xx and network errors for safe
    /// methods. POSTs are not retried here: Twilio's Calls create has no idempotency key, so callers that
    /// create resources decide themselves whether a retry is safe. <c>Twilio:ApiBaseUrl</c> redirects every
    /// request (to the simulator); otherwise it goes to Twilio.
    /// </summary>
    public static IServiceCollection AddTwilioClient(this IServiceCollection services)
    {
        services.AddValidatedOptions<TwilioOptions>();
        services.AddTransient<TwilioBaseAddressHandler>();
        services.AddHttpClient(HttpClientName)
            .AddHttpMessageHandler<TwilioBaseAddressHandler>()
            .AddStandardResilienceHandler(o => o.Retry.DisableForUnsafeHttpMethods());
        services.AddScoped<ITwilioRestClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http));
        });
        return services;
    }
}
