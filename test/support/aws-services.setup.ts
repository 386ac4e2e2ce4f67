import { servicesSetup } from "./services";

export default servicesSetup({ aws: true, kafka: false });
