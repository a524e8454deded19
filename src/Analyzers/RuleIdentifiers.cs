namespace WebSocketHandoff.Analyzers
{
    /// <summary>Every rule ID of the package, in one place.</summary>
    internal static class RuleIdentifiers
    {
        public const string RawTransportUse = "WSH001";
        public const string CloseDuringHandoff = "WSH002";
        public const string KeepAliveOnHandoff = "WSH003";
        public const string WebSocketReflection = "WSH004";
        public const string UseAfterDetach = "WSH005";
        public const string NonAtomicFinalSend = "WSH006";

        public const string Category = "Reliability";

        /// <summary>The help link of a rule: its page under docs/rules.</summary>
        public static string GetHelpUri(string id) =>
            "https://github.com/websockethandoff/websockethandoff/blob/main/docs/rules/" + id + ".md";
    }
}
