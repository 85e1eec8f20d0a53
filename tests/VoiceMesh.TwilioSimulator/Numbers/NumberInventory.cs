using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Numbers;

/// <summary>A number that can be bought: the seeded inventory entry behind AvailablePhoneNumbers.</summary>
internal sealed record AvailableNumber(
    string PhoneNumber, string FriendlyName, string IsoCountry, string Region, string Locality, string PostalCode,
    string? Lata, string RateCenter, string Latitude, string Longitude, int? AreaCode);

/// <summary>A number the account owns (IncomingPhoneNumber). Mutable: use only under the inventory's lock.</summary>
internal sealed class OwnedNumber
{
    public required string Sid { get; init; }

    public required string AccountSid { get; init; }

    public required AvailableNumber Number { get; init; }

    public required DateTimeOffset DateCreated { get; init; }

    public DateTimeOffset DateUpdated { get; set; }

    public string FriendlyName { get; set; } = "";

    public string? VoiceUrl { get; set; }

    public string VoiceMethod { get; set; } = "POST";

    public string? VoiceFallbackUrl { get; set; }

    public string? StatusCallback { get; set; }

    public string StatusCallbackMethod { get; set; } = "POST";
}

/// <summary>
/// The seeded number inventory: 20 numbers in each of a few US area codes (NANP 555-01xx fiction numbers) and in
/// London (Ofcom's 020 7946 0xxx drama range). Buying takes a number out; releasing puts it back.
/// </summary>
internal sealed partial class NumberInventory
{
    private static readonly ImmutableArray<(int AreaCode, string Region, string Locality, string PostalCode, string Lata, string Lat, string Lon)> UsAreas =
    [
        (415, "CA", "San Francisco", "94105", "722", "37.78", "-122.40"),
        (212, "NY", "New York", "10001", "132", "40.75", "-73.99"),
        (312, "IL", "Chicago", "60601", "358", "41.88", "-87.62"),
        (512, "TX", "Austin", "78701", "558", "30.27", "-97.74"),
        (206, "WA", "Seattle", "98101", "674", "47.61", "-122.33"),
        (617, "MA", "Boston", "02108", "128", "42.36", "-71.06"),
    ];

    private readonly Lock _gate = new();
    private readonly List<AvailableNumber> _available = [];
    private readonly Dictionary<string, OwnedNumber> _owned = new(StringComparer.Ordinal);

    public NumberInventory()
    {
        foreach (var area in UsAreas)
        {
            for (var i = 0; i < 20; i++)
            {
                var line = 100 + i;
                _available.Add(new AvailableNumber(
                    $"+1{area.AreaCode}555{line:D4}", $"({area.AreaCode}) 555-{line:D4}", "US", area.Region, area.Locality,
                    area.PostalCode, area.Lata, area.Locality.ToUpperInvariant(), area.Lat, area.Lon, area.AreaCode));
            }
        }

        for (var i = 0; i < 20; i++)
        {
            _available.Add(new AvailableNumber(
                $"+44207946{i:D4}", $"+44 20 7946 {i:D4}", "GB", "London", "London", "EC1A", null, "London", "51.51", "-0.13", null));
        }
    }

    public IReadOnlyList<AvailableNumber> Search(string country, int? areaCode, string? inRegion, string? contains)
    {
        var pattern = contains is { Length: > 0 } ? ContainsPattern(contains) : null;
        lock (_gate)
        {
            return [.. _available.Where(n =>
                string.Equals(n.IsoCountry, country, StringComparison.OrdinalIgnoreCase)
                && (areaCode is null || n.AreaCode == areaCode)
                && (inRegion is null || string.Equals(n.Region, inRegion, StringComparison.OrdinalIgnoreCase))
                && (pattern is null || pattern.IsMatch(n.PhoneNumber[1..])))];
        }
    }

    public (OwnedNumber? Number, TwilioError? Error) Buy(string accountSid, string? phoneNumber, int? areaCode, DateTimeOffset now)
    {
        lock (_gate)
        {
            AvailableNumber? pick;
            if (phoneNumber is not null)
            {
                if (phoneNumber == "+15005550001" || !E164().IsMatch(phoneNumber))
                {
                    return (null, TwilioError.Of(21421, 400, $"PhoneNumber {phoneNumber} is invalid"));
                }

                pick = _available.FirstOrDefault(n => n.PhoneNumber == phoneNumber);
                if (pick is null && phoneNumber == "+15005550006")
                {
                    pick = new AvailableNumber(phoneNumber, "(500) 555-0006", "US", "", "", "", null, "", "", "", 500);
                }

                if (pick is null)
                {
                    return (null, TwilioError.Of(21422, 400, $"PhoneNumber {phoneNumber} requested is not available"));
                }
            }
            else if (areaCode is not null)
            {
                pick = _available.FirstOrDefault(n => n.AreaCode == areaCode);
                if (pick is null)
                {
                    return (null, TwilioError.Of(21452, 400, $"No phone numbers found in area code {areaCode}"));
                }
            }
            else
            {
                return (null, TwilioError.Of(21450, 400, "PhoneNumber or AreaCode is required"));
            }

            _available.Remove(pick);
            var owned = new OwnedNumber
            {
                Sid = TwilioFormat.NewSid("PN"),
                AccountSid = accountSid,
                Number = pick,
                DateCreated = now,
                DateUpdated = now,
                FriendlyName = pick.FriendlyName,
            };
            _owned.Add(owned.Sid, owned);
            return (owned, null);
        }
    }

    public IReadOnlyList<OwnedNumber> Owned(string accountSid)
    {
        lock (_gate)
        {
            return [.. _owned.Values.Where(n => n.AccountSid == accountSid).OrderByDescending(n => n.DateCreated)];
        }
    }

    /// <summary>Runs <paramref name="update"/> on an owned number under the inventory's lock.</summary>
    public T? With<T>(string accountSid, string sid, Func<OwnedNumber, T> update)
        where T : class
    {
        lock (_gate)
        {
            return _owned.TryGetValue(sid, out var number) && number.AccountSid == accountSid ? update(number) : null;
        }
    }

    public bool Release(string accountSid, string sid)
    {
        lock (_gate)
        {
            if (!_owned.TryGetValue(sid, out var number) || number.AccountSid != accountSid)
            {
                return false;
            }

            _owned.Remove(sid);
            if (number.Number.PhoneNumber != "+15005550006")
            {
                _available.Add(number.Number);
            }

            return true;
        }
    }

    /// <summary><c>Contains</c>: digits, letters (phone keypad) and <c>*</c> for any one digit, anywhere in the number.</summary>
    private static Regex ContainsPattern(string contains)
    {
        var pattern = new StringBuilder();
        foreach (var c in contains.ToUpperInvariant())
        {
            pattern.Append(c switch
            {
                '*' => "[0-9]",
                >= '0' and <= '9' => c.ToString(),
                >= 'A' and <= 'Z' => Keypad(c).ToString(),
                _ => "",
            });
        }

        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static char Keypad(char letter) => letter switch
    {
        <= 'C' => '2',
        <= 'F' => '3',
        <= 'I' => '4',
        <= 'L' => '5',
        <= 'O' => '6',
        <= 'S' => '7',
        <= 'V' => '8',
        _ => '9',
    };

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
