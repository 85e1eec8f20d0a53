using System.Collections.Frozen;
using PhoneNumbers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Routing;

/// <summary>
/// Where a phone number is, for local presence: its country, and for NANP numbers its area code (NPA), exchange
/// (NPA-NXX), state or province and time zone. Parsing and validation are libphonenumber's (its metadata), the region
/// its offline geocoder's and the time zone its time-zone mapper's: maintained data, no table of our own but the
/// two-letter state codes the geocoder uses in some city names ("New York, NY").
/// </summary>
public sealed record NumberLocation(string PhoneNumber, string IsoCountry, string? AreaCode, string? Exchange, string? Region, string? TimeZone);

/// <summary>E.164 parsing and the location of a number (<see cref="NumberLocation"/>).</summary>
public static class NumberGeography
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly PhoneNumberOfflineGeocoder Geocoder = PhoneNumberOfflineGeocoder.GetInstance();
    private static readonly PhoneNumberToTimeZonesMapper TimeZones = PhoneNumberToTimeZonesMapper.GetInstance();

    private static readonly FrozenDictionary<string, string> RegionNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AL"] = "Alabama", ["AK"] = "Alaska", ["AZ"] = "Arizona", ["AR"] = "Arkansas", ["CA"] = "California", ["CO"] = "Colorado",
        ["CT"] = "Connecticut", ["DE"] = "Delaware", ["FL"] = "Florida", ["GA"] = "Georgia", ["HI"] = "Hawaii", ["ID"] = "Idaho",
        ["IL"] = "Illinois", ["IN"] = "Indiana", ["IA"] = "Iowa", ["KS"] = "Kansas", ["KY"] = "Kentucky", ["LA"] = "Louisiana",
        ["ME"] = "Maine", ["MD"] = "Maryland", ["MA"] = "Massachusetts", ["MI"] = "Michigan", ["MN"] = "Minnesota",
        ["MS"] = "Mississippi", ["MO"] = "Missouri", ["MT"] = "Montana", ["NE"] = "Nebraska", ["NV"] = "Nevada",
        ["NH"] = "New Hampshire", ["NJ"] = "New Jersey", ["NM"] = "New Mexico", ["NY"] = "New York", ["NC"] = "North Carolina",
        ["ND"] = "North Dakota", ["OH"] = "Ohio", ["OK"] = "Oklahoma", ["OR"] = "Oregon", ["PA"] = "Pennsylvania",
        ["RI"] = "Rhode Island", ["SC"] = "South Carolina", ["SD"] = "South Dakota", ["TN"] = "Tennessee", ["TX"] = "Texas",
        ["UT"] = "Utah", ["VT"] = "Vermont", ["VA"] = "Virginia", ["WA"] = "Washington State", ["WV"] = "West Virginia",
        ["WI"] = "Wisconsin", ["WY"] = "Wyoming", ["DC"] = "Washington D.C.", ["AB"] = "Alberta", ["BC"] = "British Columbia",
        ["MB"] = "Manitoba", ["NB"] = "New Brunswick", ["NL"] = "Newfoundland and Labrador", ["NS"] = "Nova Scotia",
        ["ON"] = "Ontario", ["PE"] = "Prince Edward Island", ["QC"] = "Quebec", ["SK"] = "Saskatchewan",
        ["NT"] = "Northwest Territories", ["NU"] = "Nunavut", ["YT"] = "Yukon",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The number's location when <paramref name="e164"/> is a number VoiceMesh may dial (<see cref="E164.IsDialable"/>,
    /// the one validation every service shares) and a valid, assigned one, else null.
    /// </summary>
    public static NumberLocation? Locate(string? e164)
    {
        if (e164 is null || !E164.IsDialable(e164))
        {
            return null;
        }

        var number = Util.Parse(e164, null);
        if (!Util.IsValidNumber(number))
        {
            return null;
        }

        var country = Util.GetRegionCodeForNumber(number);
        var timeZones = TimeZones.GetTimeZonesForNumber(number);
        var timeZone = timeZones.Count == 1 && timeZones[0] != TimeZones.GetUnknownTimeZone() ? timeZones[0] : null;
        if (number.CountryCode != 1)
        {
            return new NumberLocation(e164, country, null, null, Region(Geocoder.GetDescriptionForNumber(number, Locale.English)), timeZone);
        }

        var national = number.NationalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var areaCode = national[..3];

        // The number's own entry (a city with its state, or a state), else the area code's: a number with exchange 000
        // (never assigned) matches no longer prefix.
        var region = Region(Geocoder.GetDescriptionForNumber(number, Locale.English))
            ?? Region(Geocoder.GetDescriptionForValidNumber(Util.Parse($"+1{areaCode}0000000", null), Locale.English));
        return new NumberLocation(e164, country, areaCode, national[..6], region, timeZone);
    }

    /// <summary>The state or province of a geocoder description: "California", or "New York" for "New York, NY".</summary>
    private static string? Region(string description)
    {
        if (description.Length == 0)
        {
            return null;
        }

        var comma = description.LastIndexOf(", ", StringComparison.Ordinal);
        return comma < 0 ? description : RegionNames.GetValueOrDefault(description[(comma + 2)..], description[(comma + 2)..]);
    }
}
