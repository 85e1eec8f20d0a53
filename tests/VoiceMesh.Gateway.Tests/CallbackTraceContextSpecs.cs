using Microsoft.AspNetCore.Http.Features;
using VoiceMesh.Gateway.Twilio;

namespace VoiceMesh.Gateway.Tests;

/// <summary>Which query <c>traceparent</c> becomes the request's trace context header, before hosting reads the headers.</summary>
public sealed class CallbackTraceContextSpecs
{
    private const string WellFormed = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Theory]
    [InlineData("/twilio/voice/status", "?requestId=r1&traceparent=" + WellFormed)]
    [InlineData("/twilio/voice/amd", "?traceparent=" + WellFormed + "&requestId=r1")]
    public void A_well_formed_query_traceparent_of_a_twilio_callback_becomes_its_header(string path, string query)
    {
        var request = Request(path, query);

        CallbackTraceContext.ContinueFromQuery(request);

        Assert.Equal(WellFormed, request.Headers["traceparent"].ToString());
    }

    [Theory]
    [InlineData("/api/calls")]
    [InlineData("/twilioish/status")]
    public void A_request_outside_twilio_keeps_its_headers(string path)
    {
        var request = Request(path, "?traceparent=" + WellFormed);

        CallbackTraceContext.ContinueFromQuery(request);

        Assert.False(request.Headers.ContainsKey("traceparent"));
    }

    [Fact]
    public void A_traceparent_header_is_kept()
    {
        const string header = "00-11111111111111111111111111111111-2222222222222222-01";
        var request = Request("/twilio/voice/status", "?traceparent=" + WellFormed);
        request.Headers["traceparent"] = header;

        CallbackTraceContext.ContinueFromQuery(request);

        Assert.Equal(header, request.Headers["traceparent"].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")]
    [InlineData("00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\nx-injected: 1")]
    public void A_malformed_query_traceparent_is_ignored(string malformed)
    {
        var request = Request("/twilio/voice/status", "?traceparent=" + Uri.EscapeDataString(malformed));

        CallbackTraceContext.ContinueFromQuery(request);

        Assert.False(request.Headers.ContainsKey("traceparent"));
    }

    [Fact]
    public void A_repeated_query_traceparent_is_ignored()
    {
        var request = Request("/twilio/voice/status", $"?traceparent={WellFormed}&traceparent={WellFormed}");

        CallbackTraceContext.ContinueFromQuery(request);

        Assert.False(request.Headers.ContainsKey("traceparent"));
    }

    private static HttpRequestFeature Request(string path, string query) => new() { Path = path, QueryString = query };
}
