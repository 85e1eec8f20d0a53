using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>The one retry layer for Twilio REST: what is retried, per request.</summary>
public sealed class TwilioRestPolicySpecs
{
    private const string Account = "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001";

    private static bool Retried(HttpMethod method, string path, HttpStatusCode? status = null, Exception? error = null)
    {
        using var request = new HttpRequestMessage(method, Account + path);
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            context.SetRequestMessage(request);
            using var response = status is { } code ? new HttpResponseMessage(code) : null;
            var outcome = response is not null ? Outcome.FromResult(response) : Outcome.FromException<HttpResponseMessage>(error!);
            return TwilioRestPolicy.ShouldRetry(outcome, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [Theory]
    [InlineData("POST", "/Calls.json", true)]
    [InlineData("POST", "/Conferences/CF00000000000000000000000000000001/Participants.json", true)]
    [InlineData("POST", "/Calls/CA00000000000000000000000000000001.json", false)]
    [InlineData("GET", "/Calls.json", false)]
    public void A_post_to_a_collection_creates_and_a_post_to_a_resource_updates(string method, string path, bool creates)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Account + path);

        Assert.Equal(creates, TwilioRequests.Creates(request));
    }

    [Fact]
    public void Rate_limits_and_server_errors_are_retried_for_every_request_since_twilio_acted_on_neither()
    {
        Assert.True(Retried(HttpMethod.Post, "/Calls.json", HttpStatusCode.TooManyRequests));
        Assert.True(Retried(HttpMethod.Post, "/Calls.json", HttpStatusCode.ServiceUnavailable));
        Assert.True(Retried(HttpMethod.Get, "/Calls/CA00000000000000000000000000000001.json", HttpStatusCode.InternalServerError));
        Assert.False(Retried(HttpMethod.Post, "/Calls.json", HttpStatusCode.BadRequest));
        Assert.False(Retried(HttpMethod.Get, "/Calls/CA00000000000000000000000000000001.json", HttpStatusCode.NotFound));
    }

    [Fact]
    public void A_lost_connection_is_retried_unless_the_request_may_have_created_a_call()
    {
        var lost = new HttpRequestException("connection reset");

        Assert.False(Retried(HttpMethod.Post, "/Calls.json", error: lost));
        Assert.True(Retried(HttpMethod.Post, "/Calls/CA00000000000000000000000000000001.json", error: lost));
        Assert.True(Retried(HttpMethod.Get, "/Calls.json", error: lost));
    }

    [Fact]
    public void An_open_circuit_is_not_retried_here()
    {
        Assert.False(Retried(HttpMethod.Get, "/Calls.json", error: new BrokenCircuitException("open")));
    }
}
