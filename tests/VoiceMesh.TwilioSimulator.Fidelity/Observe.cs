using System.Text.RegularExpressions;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;

namespace VoiceMesh.TwilioSimulator.Fidelity;

/// <summary>
/// Runs one SDK request and records what came back: the HTTP status, success or <see cref="ApiException"/>, and
/// whether the fields the project reads are populated.
/// </summary>
internal static partial class Observe
{
    public static Task<Observation> CallAsync(TwilioRestClient client, Func<TwilioRestClient, Task<CallResource>> request) =>
        RunAsync(client, request, call => (call.Status?.ToString(), CallProblems(call)));

    public static Task<Observation> NumberAsync(
        TwilioRestClient client, Func<TwilioRestClient, Task<IncomingPhoneNumberResource>> request) =>
        RunAsync(client, request, number => (null, NumberProblems(number)));

    private static async Task<Observation> RunAsync<TResource>(
        TwilioRestClient client,
        Func<TwilioRestClient, Task<TResource>> request,
        Func<TResource, (string? CallStatus, IReadOnlyList<string> Problems)> inspect)
    {
        try
        {
            var resource = await request(client);
            var (callStatus, problems) = inspect(resource);
            return new Observation((int?)client.HttpClient.LastResponse?.StatusCode, null, callStatus, problems);
        }
        catch (ApiException error)
        {
            return new Observation(error.Status, error.Code, null, ErrorProblems(error));
        }
        catch (Exception error) when (error is ApiConnectionException or HttpRequestException or TaskCanceledException)
        {
            return new Observation(null, null, null, [$"no response: {error.Message} {error.InnerException?.Message}".TrimEnd()]);
        }
    }

    private static List<string> CallProblems(CallResource call)
    {
        var problems = new List<string>();
        if (call.Sid is null || !CallSid().IsMatch(call.Sid))
        {
            problems.Add($"Sid '{call.Sid}' is not CA and 32 hex digits");
        }

        if (call.Status is null)
        {
            problems.Add("Status is missing");
        }

        Require(problems, "To", call.To);
        Require(problems, "From", call.From);
        if (call.DateCreated is null)
        {
            problems.Add("DateCreated is missing");
        }

        Require(problems, "Direction", call.Direction);
        return problems;
    }

    private static List<string> NumberProblems(IncomingPhoneNumberResource number)
    {
        var problems = new List<string>();
        if (number.Sid is null || !PhoneNumberSid().IsMatch(number.Sid))
        {
            problems.Add($"Sid '{number.Sid}' is not PN and 32 hex digits");
        }

        Require(problems, "PhoneNumber", number.PhoneNumber?.ToString());
        return problems;
    }

    private static List<string> ErrorProblems(ApiException error)
    {
        var problems = new List<string>();
        if (error.Code == 0)
        {
            problems.Add("error body has no code");
        }

        if (error.Status == 0)
        {
            problems.Add("error has no status");
        }

        Require(problems, "error body's more_info", error.MoreInfo);
        return problems;
    }

    private static void Require(List<string> problems, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            problems.Add($"{field} is missing");
        }
    }

    [GeneratedRegex("^CA[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex CallSid();

    [GeneratedRegex("^PN[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneNumberSid();
}
