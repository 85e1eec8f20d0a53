using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Twilio.Clients;
using Twilio.Http;
using VoiceMesh.TwilioSimulator.Fidelity;
using VoiceMesh.TwilioSimulator.Hosting;
using HttpClient = System.Net.Http.HttpClient;

// dotnet run --project tests/VoiceMesh.TwilioSimulator.Fidelity
// With TWILIO_TEST_ACCOUNT_SID and TWILIO_TEST_AUTH_TOKEN (Twilio's test credentials) the cases also run against real Twilio.
var testAccountSid = NullIfEmpty(Environment.GetEnvironmentVariable("TWILIO_TEST_ACCOUNT_SID"));
var testAuthToken = NullIfEmpty(Environment.GetEnvironmentVariable("TWILIO_TEST_AUTH_TOKEN"));
if ((testAccountSid is null) != (testAuthToken is null))
{
    Console.Error.WriteLine("Set both TWILIO_TEST_ACCOUNT_SID and TWILIO_TEST_AUTH_TOKEN, or neither.");
    return 2;
}

using var twilioHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
await using var simulator = await TwilioSimulatorHost.StartAsync(new SimulatorOptions(), new FakeTimeProvider(DateTimeOffset.UtcNow));
var targets = new List<FidelityTarget>();
if (testAccountSid is not null && testAuthToken is not null)
{
    targets.Add(new FidelityTarget("twilio", isRealTwilio: true, authToken =>
        new TwilioRestClient(testAccountSid, authToken ?? testAuthToken, httpClient: new SystemNetHttpClient(twilioHttp))));
    Console.WriteLine($"Checking real Twilio (test credentials {testAccountSid}) and the simulator against the recorded expectations.");
}
else
{
    Console.WriteLine("TWILIO_TEST_ACCOUNT_SID and TWILIO_TEST_AUTH_TOKEN are not set: checking the simulator against the recorded expectations only.");
}

targets.Add(new FidelityTarget("simulator", isRealTwilio: false, authToken => simulator.CreateTwilioClient(authToken: authToken)));

const string Row = "{0,-4}  {1,-9}  {2,-56}  {3,-10}  {4,-10}  {5}";
Console.WriteLine();
Console.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, "", "TARGET", "CASE", "EXPECTED", "ACTUAL", "NOTE"));
var passed = 0;
var failed = 0;
var simulatorOnly = new List<string>();
foreach (var contract in ContractCases.Create())
{
    var onlyNote = $"simulator only: {contract.SimulatorOnly}";
    foreach (var target in targets)
    {
        if (target.IsRealTwilio && contract.SimulatorOnly is not null)
        {
            simulatorOnly.Add(contract.Name);
            Print("SKIP", target, contract, "not run", onlyNote);
            continue;
        }

        var actual = await contract.RunAsync(target);
        var mismatches = contract.Expected.Mismatches(actual);
        var notes = mismatches.ToList();
        if (contract.SimulatorOnly is not null)
        {
            notes.Add(onlyNote);
        }

        var pass = mismatches.Count == 0;
        passed += pass ? 1 : 0;
        failed += pass ? 0 : 1;
        Print(pass ? "PASS" : "FAIL", target, contract, actual.ToString(), string.Join("; ", notes));
    }
}

Console.WriteLine();
if (testAccountSid is null)
{
    Console.WriteLine("Checked the simulator against the recorded expectations (Twilio's documented behaviour) only; real Twilio was not contacted.");
    Console.WriteLine("Set TWILIO_TEST_ACCOUNT_SID and TWILIO_TEST_AUTH_TOKEN to Twilio's test credentials to check real Twilio as well.");
}
else if (simulatorOnly.Count > 0)
{
    Console.WriteLine($"Ran against the simulator only (unsupported with test credentials): {string.Join(", ", simulatorOnly)}.");
}

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

void Print(string result, FidelityTarget target, ContractCase contract, string actual, string note) =>
    Console.WriteLine(string.Format(
        CultureInfo.InvariantCulture, Row, result, target.Name, contract.Name, contract.Expected, actual, note).TrimEnd());

static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
