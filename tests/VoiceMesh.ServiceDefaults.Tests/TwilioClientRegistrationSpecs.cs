using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>
/// Every slice of a service registers the Twilio client it talks through (Calls: queues, control and paced placement);
/// the service still gets one client with one resilience pipeline, and pacing below it.
/// </summary>
public sealed class TwilioClientRegistrationSpecs
{
    [Fact]
    public async Task A_client_registered_by_three_slices_tries_a_rate_limited_request_once_plus_its_retries()
    {
        var time = new FakeTimeProvider();
        var twilio = new RateLimitedTwilio();
        var services = TwilioTestServices.On(time);
        services.AddTwilioClient(client => client.ConfigurePrimaryHttpMessageHandler(() => twilio));
        services.AddTwilioClient();
        services.AddPacedTwilioClient(_ => 1000);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(TwilioClientExtensions.HttpClientName);

        var send = client.PostAsync(
            new Uri("https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json"),
            new FormUrlEncodedContent([]),
            TestContext.Current.CancellationToken);
        while (!send.IsCompleted)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        using var answer = await send;
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.Equal(1 + TwilioRestPolicy.MaxRetries, twilio.Requests);
    }

    /// <summary>Twilio answering every request 429 (which never opens the breaker), counting them.</summary>
    private sealed class RateLimitedTwilio : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests) { RequestMessage = request, Content = new StringContent("{}") });
        }
    }
}
