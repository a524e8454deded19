using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers
{
    // WSH004: a member picked by name out of a list of members (GetFields(…).First(f => f.Name == "_stream")), followed like
    // the member GetField("_stream", …) finds.
    public sealed partial class WebSocketReflectionAnalyzer
    {
        /// <summary>Lookups that list members: what <c>First(f => f.Name == "…")</c> picks from.</summary>
        private static readonly ImmutableHashSet<string> s_listLookupNames = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "GetFields", "GetProperties", "GetMethods", "GetMembers",
            "GetRuntimeFields", "GetRuntimeProperties", "GetRuntimeMethods");

        /// <summary><c>TypeInfo</c> properties that list the declared members, public or not.</summary>
        private static readonly ImmutableHashSet<string> s_declaredListNames = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "DeclaredFields", "DeclaredProperties", "DeclaredMethods", "DeclaredMembers", "DeclaredConstructors",
            "DeclaredEvents", "DeclaredNestedTypes");

        /// <summary>Enumerable methods that pick one element.</summary>
        private static readonly ImmutableHashSet<string> s_pickNames = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "First", "FirstOrDefault", "Single", "SingleOrDefault", "Last", "LastOrDefault");

        private sealed partial class Analysis
        {
            /// <summary>
            /// The runtime type of the value of a member picked by name out of a listing lookup on a System.Net.WebSockets type:
            /// <c>type.GetFields(flags).First(f => f.Name == "_x")</c> or <c>….Where(f => f.Name == "_x").First()</c>. A listing
            /// that includes non-public members (<c>NonPublic</c>, or <c>GetRuntimeFields()</c>…) and a name that is not public
            /// reads an internal value, followed as a further hop; a public member is followed when its type is a WebSockets
            /// type. A listing of public members only never holds a non-public name, and is not followed into one.
            /// The listing lookup itself is reported where it is (it asks for non-public members).
            /// </summary>
            private TargetType? ResolveListedMemberValue(IInvocationOperation invocation, int depth)
            {
                IMethodSymbol method = invocation.TargetMethod;
                if (!s_pickNames.Contains(method.Name) || !IsEnumerable(method.ContainingType) || invocation.Arguments.Length == 0)
                {
                    return null;
                }

                IOperation source = SkipConversions(invocation.Arguments[0].Value);
                IOperation predicate;
                if (invocation.Arguments.Length == 2)
                {
                    predicate = invocation.Arguments[1].Value;
                }
                else if (source is IInvocationOperation { TargetMethod.Name: "Where", Arguments.Length: 2 } where && IsEnumerable(where.TargetMethod.ContainingType))
                {
                    source = SkipConversions(where.Arguments[0].Value);
                    predicate = where.Arguments[1].Value;
                }
                else
                {
                    return null;
                }

                bool listsNonPublic;
                bool onlyNonPublic = false;
                IOperation? typeOperand;
                if (source is IInvocationOperation listing
                    && s_listLookupNames.Contains(listing.TargetMethod.Name)
                    && IsBclReflectionMethod(listing.TargetMethod))
                {
                    long? flags = ConstantFlags(listing);
                    listsNonPublic = s_implicitlyNonPublic.Contains(listing.TargetMethod.Name)
                        || (flags is long f && (f & BindingFlagsNonPublic) != 0);
                    onlyNonPublic = flags is long g && (g & BindingFlagsNonPublic) != 0 && (g & BindingFlagsPublic) == 0;
                    typeOperand = LookupTypeOperand(listing, isHelper: false);
                }
                else if (DeclaredListInstance(source) is { } typeInfo)
                {
                    listsNonPublic = true;
                    typeOperand = typeInfo;
                }
                else
                {
                    return null;
                }

                if (PickedMemberName(predicate) is not string name)
                {
                    // GetFields(BindingFlags.NonPublic | …).First(f => f.Name.StartsWith("_inner")): whatever it picks is not
                    // public, so its value is internal, named by the part of the name the predicate spells.
                    return onlyNonPublic
                        && PickedMemberNamePart(predicate) is string part
                        && typeOperand is not null
                        && NextHop(depth) is int partHop
                        && ResolveTarget(typeOperand, partHop) is { } partTarget
                            ? new TargetType(ImmutableArray.Create(_object), null, partTarget.Path + "." + part)
                            : null;
                }

                if (typeOperand is null
                    || NextHop(depth) is not int hop
                    || ResolveTarget(typeOperand, hop) is not { } target)
                {
                    return null;
                }
                if (!IsPublicName(target, name))
                {
                    return listsNonPublic ? new TargetType(ImmutableArray.Create(_object), null, target.Path + "." + name) : null;
                }

                return PublicMemberType(target, name) is { } memberType
                    ? new TargetType(WithPublicDerivedTypes(memberType), null)
                    : null;
            }

            /// <summary>The <c>TypeInfo</c> of <c>typeInfo.DeclaredFields</c> (or another <c>Declared…</c> list), else null.</summary>
            private IOperation? DeclaredListInstance(IOperation source) =>
                SkipConversions(source) is IPropertyReferenceOperation { Instance: { } instance } property
                && s_declaredListNames.Contains(property.Property.Name)
                && InheritsFrom(property.Property.ContainingType, _systemType)
                    ? instance
                    : null;

            /// <summary>
            /// <c>typeInfo.DeclaredFields.First(f => f.Name == "_innerWebSocket")</c> (or <c>Where</c>, <c>Single</c>…) on a
            /// System.Net.WebSockets type, picking a name that is not public on it: the declared lists hold non-public members.
            /// </summary>
            private void AnalyzeDeclaredPick(Action<Diagnostic> report, IInvocationOperation invocation)
            {
                if (invocation.Arguments.Length != 2
                    || DeclaredListInstance(invocation.Arguments[0].Value) is not { } typeInfo
                    || PickedMemberName(invocation.Arguments[1].Value) is not string name
                    || ResolveTarget(typeInfo, depth: 0) is not { } target
                    || IsPublicName(target, name))
                {
                    return;
                }

                string list = ((IPropertyReferenceOperation)SkipConversions(invocation.Arguments[0].Value)).Property.Name;
                string what = "'" + list + "." + invocation.TargetMethod.Name + "(\"" + name + "\")' on " + target.Describe();
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            /// <summary>
            /// The constant a predicate compares a member's <c>Name</c> with: <c>f => f.Name == "_x"</c>, <c>"_x" == f.Name</c>,
            /// <c>f.Name.Equals("_x")</c>, <c>string.Equals(f.Name, "_x", …)</c>, <c>f.Name is "_x"</c>.
            /// </summary>
            private static string? PickedMemberName(IOperation predicate)
            {
                string? found = null;
                foreach (IOperation operation in predicate.Descendants())
                {
                    IOperation? left = null;
                    IOperation? right = null;
                    switch (operation)
                    {
                        case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary:
                            left = binary.LeftOperand;
                            right = binary.RightOperand;
                            break;
                        case IIsPatternOperation { Pattern: IConstantPatternOperation constant } isPattern:
                            left = isPattern.Value;
                            right = constant.Value;
                            break;
                        case IInvocationOperation { TargetMethod.Name: "Equals" } equals
                            when equals.TargetMethod.ContainingType.SpecialType == SpecialType.System_String:
                            if (equals.Instance is not null && equals.Arguments.Length >= 1)
                            {
                                left = equals.Instance;
                                right = equals.Arguments[0].Value;
                            }
                            else if (equals.Instance is null && equals.Arguments.Length >= 2)
                            {
                                left = equals.Arguments[0].Value;
                                right = equals.Arguments[1].Value;
                            }

                            break;
                    }

                    string? compared = left is null || right is null
                        ? null
                        : IsMemberName(left) ? ConstantString(right) : IsMemberName(right) ? ConstantString(left) : null;
                    if (compared is null)
                    {
                        continue;
                    }

                    if (found is not null && found != compared)
                    {
                        // "f.Name == "_a" || f.Name == "_b"": not one member.
                        return null;
                    }

                    found = compared;
                }

                return found;
            }

            /// <summary>
            /// The part of a member's name a predicate tests with one <c>StartsWith</c>/<c>EndsWith</c>/<c>Contains</c> of a
            /// constant (<c>f => f.Name.StartsWith("_inner")</c>), written as it reads in a message (<c>_inner…</c>), or null.
            /// </summary>
            private static string? PickedMemberNamePart(IOperation predicate)
            {
                string? found = null;
                foreach (IOperation operation in predicate.Descendants())
                {
                    if (operation is IInvocationOperation { TargetMethod.Name: "StartsWith" or "EndsWith" or "Contains", Instance: { } instance } test
                        && test.TargetMethod.ContainingType.SpecialType == SpecialType.System_String
                        && test.Arguments.Length >= 1
                        && IsMemberName(instance)
                        && ConstantString(test.Arguments[0].Value) is string text
                        && text.Length > 0)
                    {
                        if (found is not null)
                        {
                            return null;
                        }

                        found = test.TargetMethod.Name switch
                        {
                            "StartsWith" => text + "…",
                            "EndsWith" => "…" + text,
                            _ => "…" + text + "…",
                        };
                    }
                }

                return found;
            }

            /// <summary><c>m.Name</c> of a <c>MemberInfo</c>.</summary>
            private static bool IsMemberName(IOperation operation) =>
                SkipConversions(operation) is IPropertyReferenceOperation { Property.Name: "Name", Instance: { Type: { } type } }
                && IsMemberInfo(type);
        }
    }
}
