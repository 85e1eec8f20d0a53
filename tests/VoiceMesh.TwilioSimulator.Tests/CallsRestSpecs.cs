using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class CallsRestSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Creating_a_call_through_the_SDK_returns_a_queued_call_shaped_like_Twilios()
    {
        var call = await CreateAsync("+15551230001");

        Assert.Matches("^CA[0-9a-f]{32}$", call.Sid);
        Assert.Equal(SimulatorWorld.AccountSid, call.AccountSid);
        Assert.Equal(CallResource.StatusEnum.Queued, call.Status);
        Assert.Equal("+15551230001", call.To);
        Assert.Equal(SimulatorWorld.From, call.From);
        Assert.Equal("outbound-api", call.Direction);
        Assert.Equal(new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc), call.DateCreated?.ToUniversalTime());
        Assert.Equal($"/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Calls/{call.Sid}.json", call.Uri);

        var request = Assert.Single(_world.Control.Requests);
        Assert.Equal(("POST", $"/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Calls.json", 201),
            (request.Method, request.Path, request.StatusCode));
        Assert.Equal(["+15551230001"], request.Form["To"]);
    }

    [Fact]
    public async Task The_raw_json_uses_snake_case_rfc_2822_dates_and_string_durations()
    {
        var call = await CreateAsync("+15551230002");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));
        using var http = _world.Host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Calls/{call.Sid}.json");
        request.Headers.Authorization = Basic(SimulatorWorld.AccountSid, SimulatorWorld.AuthToken);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var root = json.RootElement;
        Assert.Equal("Mon, 02 Mar 2026 09:00:00 +0000", root.GetProperty("date_created").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal("20", root.GetProperty("duration").GetString());
        Assert.Equal("Mon, 02 Mar 2026 09:00:00 +0000", root.GetProperty("start_time").GetString());
        Assert.Equal("Mon, 02 Mar 2026 09:00:24 +0000", root.GetProperty("end_time").GetString());
        Assert.Equal("2010-04-01", root.GetProperty("api_version").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parent_call_sid").ValueKind);
        Assert.True(root.GetProperty("subresource_uris").TryGetProperty("recordings", out _));
    }

    [Fact]
    public async Task Wrong_credentials_are_rejected_with_20003()
    {
        var wrong = _world.Host.CreateTwilioClient(SimulatorWorld.AccountSid, "not-the-token");

        var error = await Assert.ThrowsAsync<ApiException>(() => CreateAsync("+15551230003", wrong));

        Assert.Equal((20003, 401), (error.Code, error.Status));
        Assert.Equal("https://www.twilio.com/docs/errors/20003", error.MoreInfo);
        Assert.Equal(401, Assert.Single(_world.Control.Requests).StatusCode);
    }

    [Fact]
    public async Task Missing_basic_auth_gets_twilios_error_body()
    {
        using var http = _world.Host.CreateHttpClient();

        using var response = await http.GetAsync(
            new Uri($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Calls.json"), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(20003, json.RootElement.GetProperty("code").GetInt32());
        Assert.Equal(401, json.RootElement.GetProperty("status").GetInt32());
        Assert.True(json.RootElement.TryGetProperty("message", out _));
        Assert.True(json.RootElement.TryGetProperty("more_info", out _));
    }

    [Theory]
    [InlineData("+15005550001", 21217)]
    [InlineData("+15005550002", 21214)]
    [InlineData("+15005550003", 21215)]
    [InlineData("+15005550004", 21216)]
    [InlineData("12345", 21211)]
    [InlineData("+1 555 123", 21211)]
    public async Task Magic_and_malformed_to_numbers_are_rejected_with_twilios_codes(string to, int code)
    {
        var error = await Assert.ThrowsAsync<ApiException>(() => CreateAsync(to));

        Assert.Equal((code, 400), (error.Code, error.Status));
    }

    [Theory]
    [InlineData("+15005550001", 21212)]
    [InlineData("+15005550007", 21210)]
    [InlineData("not-a-number", 21212)]
    public async Task Magic_and_malformed_from_numbers_are_rejected_with_twilios_codes(string from, int code)
    {
        var error = await Assert.ThrowsAsync<ApiException>(() => CallResource.CreateAsync(
            to: new PhoneNumber("+15551230004"), from: new PhoneNumber(from), url: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio));

        Assert.Equal((code, 400), (error.Code, error.Status));
    }

    [Fact]
    public async Task A_call_without_url_or_twiml_is_rejected()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() => CallResource.CreateAsync(
            to: new PhoneNumber("+15551230005"), from: new PhoneNumber(SimulatorWorld.From), client: _world.Twilio));

        Assert.Equal((21205, 400), (error.Code, error.Status));
    }

    [Fact]
    public async Task Fetching_an_unknown_call_gives_20404()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() =>
            CallResource.FetchAsync("CA00000000000000000000000000000000", client: _world.Twilio));

        Assert.Equal((20404, 404), (error.Code, error.Status));
    }

    [Fact]
    public async Task Another_accounts_path_is_not_found_with_valid_credentials()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() =>
            CallResource.FetchAsync("CA00000000000000000000000000000000", pathAccountSid: "ACffffffffffffffffffffffffffffffff", client: _world.Twilio));

        Assert.Equal((20404, 404), (error.Code, error.Status));
    }

    [Fact]
    public async Task Listing_calls_filters_by_to_from_and_status_and_pages_through_next_page_uri()
    {
        var first = await CreateAsync("+15551230010");
        await CreateAsync("+15551230011");
        await CreateAsync("+15551230011");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));
        await CreateAsync("+15551230012");

        var all = (await CallResource.ReadAsync(pageSize: 2, client: _world.Twilio)).ToList();
        var toEleven = (await CallResource.ReadAsync(to: new PhoneNumber("+15551230011"), client: _world.Twilio)).ToList();
        var completed = (await CallResource.ReadAsync(status: CallResource.StatusEnum.Completed, client: _world.Twilio)).ToList();
        var queued = (await CallResource.ReadAsync(status: CallResource.StatusEnum.Queued, client: _world.Twilio)).ToList();
        var fromOther = (await CallResource.ReadAsync(from: new PhoneNumber("+15550000000"), client: _world.Twilio)).ToList();

        Assert.Equal(4, all.Count);
        Assert.Equal("+15551230012", all[0].To.ToString());
        Assert.Equal(first.Sid, all[^1].Sid);
        Assert.Equal(2, toEleven.Count);
        Assert.Equal(3, completed.Count);
        Assert.Equal("+15551230012", Assert.Single(queued).To.ToString());
        Assert.Empty(fromOther);
        Assert.Equal(2, _world.Control.Requests.Count(r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal)
            && r.Method == "GET" && r.Query.Contains("PageSize=2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_list_page_carries_twilios_paging_fields()
    {
        await CreateAsync("+15551230013");
        await CreateAsync("+15551230014");
        using var http = _world.Host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Calls.json?PageSize=1");
        request.Headers.Authorization = Basic(SimulatorWorld.AccountSid, SimulatorWorld.AuthToken);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("calls").GetArrayLength());
        Assert.Equal(0, root.GetProperty("page").GetInt32());
        Assert.Equal(1, root.GetProperty("page_size").GetInt32());
        Assert.Equal(0, root.GetProperty("start").GetInt32());
        Assert.Equal(0, root.GetProperty("end").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("previous_page_uri").ValueKind);
        Assert.EndsWith("Calls.json?PageSize=1&Page=1", root.GetProperty("next_page_uri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Calls.json?PageSize=1&Page=0", root.GetProperty("first_page_uri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Calls.json?PageSize=1&Page=0", root.GetProperty("uri").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updating_a_finished_call_fails_with_21220()
    {
        var call = await CreateAsync("+15551230020");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var error = await Assert.ThrowsAsync<ApiException>(() =>
            CallResource.UpdateAsync(call.Sid, status: CallResource.UpdateStatusEnum.Completed, client: _world.Twilio));

        Assert.Equal((21220, 400), (error.Code, error.Status));
    }

    [Fact]
    public async Task Canceling_a_queued_call_ends_it_canceled()
    {
        var call = await CreateAsync("+15551230021");

        var canceled = await CallResource.UpdateAsync(call.Sid, status: CallResource.UpdateStatusEnum.Canceled, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(CallResource.StatusEnum.Canceled, canceled.Status);
        Assert.Equal(CallResource.StatusEnum.Canceled, (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).Status);
    }

    [Fact]
    public async Task Hanging_up_an_answered_call_completes_it_at_once()
    {
        var call = await CreateAsync("+15551230022");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CallResource.StatusEnum.InProgress, (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).Status);

        var ended = await CallResource.UpdateAsync(call.Sid, status: CallResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(CallResource.StatusEnum.Completed, ended.Status);
        var fetched = await CallResource.FetchAsync(call.Sid, client: _world.Twilio);
        Assert.Equal("6", fetched.Duration);
        Assert.Equal(new DateTime(2026, 3, 2, 9, 0, 10, DateTimeKind.Utc), fetched.EndTime?.ToUniversalTime());
    }

    private Task<CallResource> CreateAsync(string to, ITwilioRestClient? client = null) =>
        CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            client: client ?? _world.Twilio);

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
