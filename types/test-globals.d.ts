// Tests read JSON bodies of the suite's own responses; typing each one adds noise without safety,
// so `Response.json()` is `any` here (the assertions check the shapes).
interface Response {
  json(): Promise<any>;
}
